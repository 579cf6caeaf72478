"""Text shown to people or written to files: Markdown made safe, cells made inert."""
