# The official working-day calendar: every policies/calendar/YEAR.txt is embedded as text in a
# generated source file. Adding a year file re-runs the configure step (the glob is re-checked),
# and so does editing one (CMAKE_CONFIGURE_DEPENDS).
# qgrant_calendar_data(ROOT OUT): writes OUT from ROOT/policies/calendar (the main build and the
# fuzz build both compile it).
function(qgrant_calendar_data root out)
  file(GLOB QGRANT_CALENDAR_FILES CONFIGURE_DEPENDS ${root}/policies/calendar/*.txt)
  list(SORT QGRANT_CALENDAR_FILES)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${QGRANT_CALENDAR_FILES})
  set(QGRANT_CALENDAR_SOURCES "")
  foreach(calendar_file IN LISTS QGRANT_CALENDAR_FILES)
    get_filename_component(calendar_name ${calendar_file} NAME)
    file(READ ${calendar_file} calendar_text)
    if(calendar_text MATCHES "\\)qgcal\"")
      message(FATAL_ERROR "${calendar_file} contains the raw-string delimiter )qgcal\"")
    endif()
    string(APPEND QGRANT_CALENDAR_SOURCES
           "      {\"${calendar_name}\", R\"qgcal(${calendar_text})qgcal\"},\n")
  endforeach()
  configure_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/calendar_data.cc.in ${out} @ONLY)
endfunction()
