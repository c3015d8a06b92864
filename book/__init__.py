"""The static book (make book): see build.py."""
