"""Categories, topics and posts: the forum itself."""
