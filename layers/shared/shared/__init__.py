"""Shared layer: HTTP plumbing, data access and the domain packages every function uses."""
