"""Planning without I/O: unified calls to provider requests, provider responses to unified results.

Each plan is a generator that yields `ProviderRequest`s and receives `ProviderResponse`s
(h11-style "sans-I/O"); the sync and async drivers in `engine.run` only move the bytes.
"""
