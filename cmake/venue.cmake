# mdhub_venue(ID FEED sources... SIM sources...): the two libraries of one venue folder,
# mdhub_venue_<id> (its parsers and feed; pure, no sockets) and mdhub_sim_<id> (its
# simulated exchange, linked into the simulator). feeds/CMakeLists.txt finds the folders.
function(mdhub_venue id)
  cmake_parse_arguments(V "" "" "FEED;SIM" ${ARGN})
  add_library(mdhub_venue_${id} STATIC ${V_FEED})
  target_link_libraries(mdhub_venue_${id} PUBLIC mdhub_feeds_common)
  mdhub_target(mdhub_venue_${id})
  if(V_SIM)
    add_library(mdhub_sim_${id} STATIC ${V_SIM})
    target_link_libraries(mdhub_sim_${id} PUBLIC mdhub_sim_core)
    mdhub_target(mdhub_sim_${id})
  endif()
endfunction()
