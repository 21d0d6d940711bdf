"""The demo district: its loaders, samples and cited data, and the evaluation harness of
duplicate search the benchmarks use. The product never imports this package."""
