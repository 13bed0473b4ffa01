"""The assessment pages, by subject.  Thin: look the object up through the gate, bind a form,
call one service (``attempt`` shows what it refuses)."""
