"""``python -m desktop``: the front-desk kiosk."""

import sys

from desktop.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
