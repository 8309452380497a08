"""`make bench`: load benchmark of the app under gunicorn on 100,000 synthetic encounters."""
