"""Computation for the playground: statistics and models, with no Streamlit import."""
