"""The intake API: FastAPI under uvicorn (see app.py)."""
