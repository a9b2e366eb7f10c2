# CTest: the CLI and the engine name no issuer of the plugins; what ACME needs (flags, config
# section, secret keys, account operations) it declares in plugins/issuers/acme/declaration.cc
# and plugins/registry.cc hands out. Like `grep -rni 'acme\|foundation\|eab_hmac' cli/
# engine/`, comments included.
# Run as: cmake -DSOURCE_DIR=... -P check_no_acme_below_plugins.cmake
set(violations "")
foreach(folder cli engine cmdline)
  file(GLOB_RECURSE sources "${SOURCE_DIR}/${folder}/*.h" "${SOURCE_DIR}/${folder}/*.cc")
  foreach(source IN LISTS sources)
    file(STRINGS "${source}" lines
         REGEX "[Aa][Cc][Mm][Ee]|[Ff][Oo][Uu][Nn][Dd][Aa][Tt][Ii][Oo][Nn]|[Ee][Aa][Bb]_[Hh][Mm][Aa][Cc]")
    foreach(line IN LISTS lines)
      file(RELATIVE_PATH relative "${SOURCE_DIR}" "${source}")
      set(violations "${violations}\n  ${relative}: ${line}")
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "cli/ and engine/ name an issuer of the plugins (declare it there instead):${violations}")
endif()
message(STATUS "cli/ and engine/ name no issuer of the plugins")
