"""A/B testing: sizing, sequential testing and the analysis of finished tests."""
