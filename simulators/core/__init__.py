"""What every simulated provider shares: messages, transport, faults, clocks, the HTTP server."""
