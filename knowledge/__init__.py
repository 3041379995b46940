"""The knowledge base drawn from the guides (entries and search); see issue 3."""
