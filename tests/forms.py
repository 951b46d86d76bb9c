"""Reading a rendered form back, as a browser would submit it."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """What a browser would submit from the first form of a page, as it stands."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self.select = self.textarea = None
        self.multiple = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[attrs["name"]] = attrs.get("value", "on")
            else:
                self.data[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select, self.multiple = attrs["name"], "multiple" in attrs
        elif tag == "option" and self.select and "selected" in attrs:
            if self.multiple:
                # Every selected option is sent, each under the select's name.
                self.data.setdefault(self.select, []).append(attrs.get("value", ""))
            else:
                self.data[self.select] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data


def submitted(response, form_id):
    """The fields of the form ``form_id`` in a response (or an HTML string), as a browser would send them.

    A multiple select's value is the list of its selected options.
    """
    html = response if isinstance(response, str) else response.content.decode()
    reader = _FormReader(form_id)
    reader.feed(html)
    return {
        name: value.removeprefix("\n") if isinstance(value, str) else value
        for name, value in reader.data.items()
    }
