"""The "boards" blueprint: lists (views.py), topics and the composer
(topic_views.py) and post actions (post_views.py) all add routes to it; the app
factory imports the three before registering it."""

from flask import Blueprint

bp = Blueprint("boards", __name__)
