"""What the pages and the API share over HTTP: the store dependency, rate limits, error
responses, templates, uploads and the PDF download. Neither app/web nor app/api imports the
other; both import from here."""
