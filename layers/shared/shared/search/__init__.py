"""The one inverted index of the platform (products, messages; posts later): see :mod:`.index`."""
