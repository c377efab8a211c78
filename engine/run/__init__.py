"""Running provider requests: I/O-free policy pieces (clock, rate limiting, retries).

The sync and async HTTP drivers call into these modules; nothing here performs network I/O.
"""
