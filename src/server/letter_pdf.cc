#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <memory>

#include "common/shared_library.h"
#include "server/letter.h"

namespace qgrant::server {

namespace {

// Pango and Cairo, loaded when the first letter is drawn (common/shared_library.h): only
// `qgrant serve` draws letters. libpangocairo needs Pango, Cairo and GObject, where dlsym finds
// their functions too.
// clang-format off: one function a line
#define QGRANT_DRAWING_FUNCTIONS(F)           \
  F(cairo_create)                             \
  F(cairo_destroy)                            \
  F(cairo_line_to)                            \
  F(cairo_move_to)                            \
  F(cairo_pdf_surface_create_for_stream)      \
  F(cairo_pdf_surface_set_metadata)           \
  F(cairo_set_line_width)                     \
  F(cairo_set_source_rgb)                     \
  F(cairo_show_page)                          \
  F(cairo_status_to_string)                   \
  F(cairo_stroke)                             \
  F(cairo_surface_destroy)                    \
  F(cairo_surface_finish)                     \
  F(cairo_surface_status)                     \
  F(g_object_unref)                           \
  F(pango_cairo_create_layout)                \
  F(pango_cairo_show_layout)                  \
  F(pango_font_description_free)              \
  F(pango_font_description_from_string)       \
  F(pango_font_description_set_absolute_size) \
  F(pango_font_description_set_weight)        \
  F(pango_layout_get_size)                    \
  F(pango_layout_set_alignment)               \
  F(pango_layout_set_font_description)        \
  F(pango_layout_set_text)                    \
  F(pango_layout_set_width)                   \
  F(pango_layout_set_wrap)
// clang-format on
QGRANT_LAZY_LIBRARY(Drawing, "libpangocairo-1.0.so.0", QGRANT_DRAWING_FUNCTIONS)

// The loaded libraries, once LetterPdf has loaded them.
const Drawing& Pango() { return *Drawing::Load(); }

// A4 in points, with 2 cm margins.
constexpr double kPageWidth = 595.28, kPageHeight = 841.89, kMargin = 56.7;
constexpr double kLabelWidth = 110;
constexpr const char* kFont = "Noto Sans CJK SC";

// Lays text out from the top of the page down, starting a new page when the next block does
// not fit.
class PageWriter {
 public:
  explicit PageWriter(cairo_t* cr) : cr_(cr) {}

  void Text(const std::string& text, double size, bool bold, PangoAlignment align, double x, double width,
            double gap_after) {
    PangoLayout* layout = Layout(text, size, bold, align, width);
    const double height = Height(layout);
    if (y_ + height > kPageHeight - kMargin) NewPage();
    Draw(layout, x, y_);
    Pango().g_object_unref(layout);
    y_ += height + gap_after;
  }

  // A table row: the label in the first column, its lines in the second, a rule below.
  void Row(const std::string& label, const std::vector<std::string>& lines) {
    std::string value;
    for (const auto& line : lines) value += (value.empty() ? "" : "\n") + (lines.size() > 1 ? "• " + line : line);
    const double value_width = kPageWidth - 2 * kMargin - kLabelWidth - 12;
    PangoLayout* head = Layout(label, 10.5, true, PANGO_ALIGN_LEFT, kLabelWidth - 6);
    PangoLayout* body = Layout(value, 10.5, false, PANGO_ALIGN_LEFT, value_width);
    const double height = std::max(Height(head), Height(body)) + 8;
    if (y_ + height > kPageHeight - kMargin) NewPage();
    Draw(head, kMargin + 4, y_ + 4);
    Draw(body, kMargin + kLabelWidth + 8, y_ + 4);
    Pango().cairo_set_line_width(cr_, 0.6);
    Pango().cairo_move_to(cr_, kMargin, y_ + height);
    Pango().cairo_line_to(cr_, kPageWidth - kMargin, y_ + height);
    Pango().cairo_stroke(cr_);
    Pango().g_object_unref(head);
    Pango().g_object_unref(body);
    y_ += height;
  }

  void Gap(double points) { y_ += points; }

 private:
  PangoLayout* Layout(const std::string& text, double size, bool bold, PangoAlignment align, double width) {
    PangoLayout* layout = Pango().pango_cairo_create_layout(cr_);
    PangoFontDescription* font = Pango().pango_font_description_from_string(kFont);
    Pango().pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    if (bold) Pango().pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    Pango().pango_layout_set_font_description(layout, font);
    Pango().pango_font_description_free(font);
    Pango().pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
    Pango().pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    Pango().pango_layout_set_alignment(layout, align);
    Pango().pango_layout_set_text(layout, text.c_str(), static_cast<int>(text.size()));  // plain text, not markup
    return layout;
  }
  static double Height(PangoLayout* layout) {
    int w = 0, h = 0;
    Pango().pango_layout_get_size(layout, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }
  void Draw(PangoLayout* layout, double x, double y) {
    Pango().cairo_move_to(cr_, x, y);
    Pango().pango_cairo_show_layout(cr_, layout);
  }
  void NewPage() {
    Pango().cairo_show_page(cr_);
    y_ = kMargin;
  }

  cairo_t* cr_;
  double y_ = kMargin;
};

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

Result<std::string> LetterPdf(const Letter& l) {
  if (!Drawing::Load().ok()) return Drawing::Load().status();
  std::string pdf;
  cairo_surface_t* surface = Pango().cairo_pdf_surface_create_for_stream(Append, &pdf, kPageWidth, kPageHeight);
  Pango().cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, (l.title + " " + l.number).c_str());
  Pango().cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, l.authority.c_str());
  cairo_t* cr = Pango().cairo_create(surface);
  Pango().cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  const double width = kPageWidth - 2 * kMargin;
  PageWriter page(cr);
  page.Text(l.title, 20, true, PANGO_ALIGN_CENTER, kMargin, width, 6);
  page.Text(l.number, 10, false, PANGO_ALIGN_CENTER, kMargin, width, 18);
  page.Text(l.addressee, 11, false, PANGO_ALIGN_LEFT, kMargin, width, 4);
  page.Text(l.intro, 11, false, PANGO_ALIGN_LEFT, kMargin, width, 10);
  for (const auto& [label, lines] : l.rows) page.Row(label, lines);
  page.Gap(14);
  for (const auto& p : l.closing) page.Text(p, 11, false, PANGO_ALIGN_LEFT, kMargin, width, 6);
  page.Gap(24);
  page.Text(l.authority + "\n" + l.date, 11, false, PANGO_ALIGN_RIGHT, kMargin, width, 18);
  page.Text(l.basis, 8.5, false, PANGO_ALIGN_LEFT, kMargin, width, 0);
  Pango().cairo_destroy(cr);
  Pango().cairo_surface_finish(surface);
  const cairo_status_t status = Pango().cairo_surface_status(surface);
  Pango().cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS)
    return Status::Internal(std::string("PDF: ") + Pango().cairo_status_to_string(status));
  return pdf;
}

}  // namespace qgrant::server
