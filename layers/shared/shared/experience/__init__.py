"""Experience layer: threads, messages with UI blocks, reactions, actions and message search."""
