from fjernarbeid.cli import main

main()
