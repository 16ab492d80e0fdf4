"""Worker objects moved to QThreads; they talk to the UI only through Signals."""
