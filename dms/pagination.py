"""The paginator every list uses, the HTML lists and the API alike."""

from django.core import paginator


class Paginator(paginator.Paginator):
    """A page number past the end shows the last page and one below 1 the first, instead of a 404: a
    bookmarked or shared link still works after the list has shrunk. A page that is not a number stays
    an error."""

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except paginator.EmptyPage:
            # The number is a whole number here: the base class raises PageNotAnInteger for anything else.
            return 1 if int(number) < 1 else self.num_pages
