"""The machinery that builds and cleans the book; no chapter imports it.

* :mod:`rnnbook.site.sphinxext` -- the Sphinx extension of the HTML book (local plotly.js, the
  book's stylesheet in ``static/``);
* :mod:`rnnbook.site.nbclean` -- drops live-widget views and timestamps from stored notebooks
  (``make execute`` runs it).
"""
