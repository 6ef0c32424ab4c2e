# Convenience wrappers around run.py, which needs only Python 3.11 and pip.
.PHONY: report test notebooks setup
report:
	python3 run.py report
test:
	python3 run.py test
notebooks:
	python3 run.py notebooks
setup:
	python3 run.py setup
