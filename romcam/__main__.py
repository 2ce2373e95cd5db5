import sys

from romcam.cli import main

sys.exit(main())
