"""The course book: its Dutch and English sources, the Sphinx extension (``_ext/``) and the
generator that writes the case pages and builds both editions (:mod:`book.build`)."""
