"""The blog: posts with authors, tags (many-to-many), profiles (one-to-one), comments, scheduled
publishing through the job system and search through the shared inverted index."""
