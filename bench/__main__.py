import sys

if "--scale" in sys.argv:
    sys.argv.remove("--scale")
    from bench.scale import main
else:
    from bench.run import main

main()
