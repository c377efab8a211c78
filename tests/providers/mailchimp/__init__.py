"""The Mailchimp mapping against the Mailchimp simulator."""
