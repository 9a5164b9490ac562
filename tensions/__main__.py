import sys

from tensions.cli import main

sys.exit(main())
