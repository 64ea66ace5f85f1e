"""Enrolment pages: roster imports, the worker registry, contribution bills."""
