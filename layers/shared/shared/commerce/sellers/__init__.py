"""Sellers: applications (from registration), admin approval, store profiles."""
