from services.credits.bootstrap import assemble
from shared.wiring.service import run
from shared.wiring.settings import Settings

if __name__ == "__main__":
    run(Settings.for_service("credits", 8002), assemble)
