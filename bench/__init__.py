"""The benchmark: the "Tsaghkadzor-300" scenario and the measurements of `make bench`."""
