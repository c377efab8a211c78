"""A tiny host app: newsletter sign-ups go to the email provider through Unimap."""
