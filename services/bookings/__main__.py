from services.bookings.bootstrap import assemble
from shared.wiring.service import run
from shared.wiring.settings import Settings

if __name__ == "__main__":
    run(Settings.for_service("bookings", 8001), assemble)
