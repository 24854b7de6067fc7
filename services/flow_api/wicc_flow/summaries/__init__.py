"""The daily system-call summary: its document model and renderers.

Pure modules: a fully built `SummaryDocument` goes in, JSON, Markdown or a
print-ready HTML page comes out. Building the document from live data, storing
its versions and serving it belong to the service around this package.
"""
