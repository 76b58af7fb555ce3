"""Fraud detection: the transaction stream simulator, the model and its evaluation."""
