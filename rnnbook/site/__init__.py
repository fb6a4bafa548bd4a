"""The machinery that builds, publishes and cleans the book; no chapter imports it.

* :mod:`rnnbook.site.sphinxext` -- the Sphinx extension of the HTML book: local, light assets
  (a partial plotly.js bundle, MathJax components, the theme's icons cut down by
  :mod:`rnnbook.site.icons`), the book's stylesheet and phone layout of the interactive figures
  (``static/``), the repository override and the student edition;
* :mod:`rnnbook.site.setupcell` -- writes every chapter's setup cell, which installs rnnbook in
  Colab or in a notebook downloaded on its own (``make setup-cells``);
* :mod:`rnnbook.site.student` -- strips solutions and answers (the student edition, student copies
  of the notebooks);
* :mod:`rnnbook.site.nbclean` -- drops live-widget views and timestamps from stored notebooks
  (``make execute`` runs it).
"""
