"""Detector bundle exporter: CLIP-shaped encoder, bundle writer, PyTorch reference heads."""
