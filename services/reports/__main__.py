from services.reports.bootstrap import assemble
from shared.wiring.service import run
from shared.wiring.settings import Settings

if __name__ == "__main__":
    run(Settings.for_service("reports", 8003), assemble)
