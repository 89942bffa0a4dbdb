import sys

from ssvzoo.cli import main

sys.exit(main())
