"""Answering a student: calculators for questions that carry numbers, the knowledge base otherwise."""
