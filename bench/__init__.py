"""The benchmark and what it needs: the synthetic data set (bench/synthetic/), the harness
that runs `make serve`, and the scripts that measure it. Not part of the app: only
`manage.py generate_synthetic` imports from here."""
