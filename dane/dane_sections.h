// DANE's and POSH's sections as the engine keeps them, opaque (engine/extensions.h): "dane"
// and "posh" in a certificate's entry (dane/dane_settings.h), "dane" in its record
// (dane/dane_state.h). The programs hand them down before they read a config or a record.
#pragma once

namespace xmppcert {

void declare_dane_sections_to_engine();

}  // namespace xmppcert
