"""Blackjack: a server-kept, provably fair game of one player against the dealer, and its stats."""
