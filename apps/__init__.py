"""The apps: Voila notebooks of the views, and the server that serves them with the exercises,
live sessions and the book."""
