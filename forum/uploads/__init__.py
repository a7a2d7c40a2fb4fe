"""Uploads: the image pipeline, content-addressed storage, serving and cleanup."""
