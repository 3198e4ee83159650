"""Public pages. Every page takes ?as_of=YYYY-MM-DD and shows the tracker as it stood then."""
