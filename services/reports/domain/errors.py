"""What a report request can get wrong; the route turns it into a 422 naming the field."""


class InvalidParameter(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message
